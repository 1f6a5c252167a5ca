"""The CTF review queue: pupils in a CTF the authority cannot match with certainty, held with their marks."""
