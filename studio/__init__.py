"""UI helpers for the Streamlit app (pages stay thin; no training logic lives here)."""
