"""Review room: the caseworkers' workflow after acceptance, the review clock, deadline reminders,
public notice (公示) and objections, recheck (复核), and the review admin's helpers."""
