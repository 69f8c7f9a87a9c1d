"""Stage 1: weighted, seeded, exact-quota sampling from streamed sources."""
