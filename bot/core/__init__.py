"""The pure core of Adempauze: deterministic, synchronous, standard library only."""
