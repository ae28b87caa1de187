"""Computer vision: networks, segmentation, garment extraction, embeddings (no Qt)."""
