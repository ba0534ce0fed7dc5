"""Text utilities shared by every stage: sentence segmentation and normalisation."""
