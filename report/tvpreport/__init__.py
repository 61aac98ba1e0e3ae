"""tvp-report: statistics and reports of the runs compare.sh keeps."""
