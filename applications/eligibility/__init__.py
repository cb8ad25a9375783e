"""Eligibility room: household and department facts, the rules of DESIGN §6, their evaluation and display."""
