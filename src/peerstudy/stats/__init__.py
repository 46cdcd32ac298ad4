"""Statistics used by the analysis plan, one module per family.

Each function takes plain arrays (or long data by column name) and returns a
dict of named results with no rounding; conventions (exact vs asymptotic,
continuity correction, zero handling) are arguments, never hidden defaults.
"""
