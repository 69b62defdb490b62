"""Pictures the shell draws from the core's figures (the core itself never draws, never opens a file)."""
