"""Cross-check room (部门联审): the runner, its tasks, the department adapters and the simulated exchange."""
