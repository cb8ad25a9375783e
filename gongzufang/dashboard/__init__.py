"""The statistics dashboard (/admin/statistics/, issue 17) and the public figures page (/figures/).

Views are thin: the figures come from `gongzufang.statistics` (summary, trend; each app's providers), the
tables from `gongzufang.statistics_tables`, and the Excel files from `excel.py`.
"""
