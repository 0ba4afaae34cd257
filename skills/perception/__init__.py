"""Perception from camera frames: detectors, frame checks, verification of step effects."""
