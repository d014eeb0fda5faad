"""The generated note: its format, rendering it, reading its ticks back."""
