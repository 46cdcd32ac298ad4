"""The manuscript: numbers from the results files, words derived from them, rendering."""
