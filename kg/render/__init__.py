"""Presentation of analysis results: plain-text reports and the vis-network page."""
