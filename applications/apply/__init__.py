"""Apply room: the applicant's wizard (household, housing, assets, preferences, consent) and materials."""
