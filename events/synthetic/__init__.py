"""A synthetic archive for load tests: see the generate_archive command."""
