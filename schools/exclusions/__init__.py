"""Suspensions and permanent exclusions with their statutory deadlines, and provision: placements, part-time
timetables, managed moves, alternative provision, Fair Access and children missing education."""
