"""The leakage firewall: row hashes, checks on the frames and on the fits, the report, the code check."""
