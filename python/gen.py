"""The synthetic data generator of common/lib/gen.h, in Python.

Block i of a seed is SplitMix64 output, little-endian 8-byte words:

    mix(z):  z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9   (all mod 2**64)
             z = (z ^ z >> 27) * 0x94D049BB133111EB
             return z ^ z >> 31
    state = mix(seed ^ mix(i))
    repeat: state += 0x9E3779B97F4A7C15; emit mix(state)

reference_block() is that, word by word: clear, and far too slow for the
64 MiB the hash workload starts from.  block() computes the same words
many at a time: each word gets a 128-bit lane of one big integer, so the
shifts, xors and multiplications by a 64-bit constant of all lanes are a
few operations on that integer, done in C by Python's long arithmetic.
A lane's value stays below 2**64 after each step (masked), its product
by a constant below 2**128, so no step carries into the next lane; the
bits a right shift moves in from the next lane land above bit 64 and are
masked off.  tests compare it with reference_block() and with the C.
"""

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
C1 = 0xBF58476D1CE4E5B9
C2 = 0x94D049BB133111EB

# Words per big integer: 64 Ki lanes, 2 MiB of integer, 512 KiB of output.
LANES = 1 << 16


def mix(z):
    z = ((z ^ (z >> 30)) * C1) & M64
    z = ((z ^ (z >> 27)) * C2) & M64
    return z ^ (z >> 31)


def reference_block(seed, index, size):
    """Block `index` of `seed`, `size` bytes, one word at a time."""
    state, out = mix(seed ^ mix(index)), bytearray()
    while len(out) < size:
        state = (state + GOLDEN) & M64
        out += mix(state).to_bytes(8, "little")
    return bytes(out[:size])


_lane_cache = {}


def _lanes(n):
    """(ones, steps, mask) for n lanes: 1 in each lane, k+1 in lane k,
    the low 64 bits of each lane."""
    if n not in _lane_cache:
        ones = int.from_bytes((b"\x01" + b"\x00" * 15) * n, "little")
        steps = int.from_bytes(b"".join(
            (k + 1).to_bytes(16, "little") for k in range(n)), "little")
        mask = int.from_bytes((b"\xff" * 8 + b"\x00" * 8) * n, "little")
        if len(_lane_cache) >= 4:  # a run uses one or two sizes
            _lane_cache.clear()
        _lane_cache[n] = (ones, steps, mask)
    return _lane_cache[n]


def _words(state, n):
    """n output words after `state`, as 8n little-endian bytes."""
    ones, steps, mask = _lanes(n)
    # Lane k: state + (k + 1) * GOLDEN, mod 2**64.
    z = (state * ones + steps * GOLDEN) & mask
    z = ((z ^ ((z >> 30) & mask)) * C1) & mask
    z = ((z ^ ((z >> 27) & mask)) * C2) & mask
    z ^= (z >> 31) & mask
    raw = memoryview(z.to_bytes(16 * n, "little")).cast("Q")
    # The low half of each 16-byte lane, in order: bytes as they lie.
    return raw[::2].tobytes()


def block(seed, index, size):
    """Block `index` of `seed`, `size` bytes: the same as reference_block."""
    state = mix(seed ^ mix(index))
    nwords = (size + 7) // 8
    parts = []
    done = 0
    while done < nwords:
        n = min(LANES, nwords - done)
        parts.append(_words((state + done * GOLDEN) & M64, n))
        done += n
    return b"".join(parts)[:size]
