"""Demo data of applications for `seed_demo`."""
