"""Traffic checks (TRF-…): what captured packets show, judged against the policy."""
