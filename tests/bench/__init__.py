"""Tests of the benchmark: its seed command and bench/run.py."""
