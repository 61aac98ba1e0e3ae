#include "lib/room.h"

#define MARGIN_MAX (1ULL << 30)

uint64_t
tvp_room_margin(uint64_t total)
{
	uint64_t five_percent = total / 20;

	return five_percent < MARGIN_MAX ? five_percent : MARGIN_MAX;
}

uint64_t
tvp_room(uint64_t available, uint64_t total)
{
	uint64_t margin = tvp_room_margin(total);

	return available > margin ? available - margin : 0;
}
