"""Training: edge sampling, UMAP loss in keras.ops, encoder networks and the fit loop."""
