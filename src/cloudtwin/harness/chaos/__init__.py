"""Chaos campaigns with shrinking: `cloudtwin chaos` (see campaign.py)."""
