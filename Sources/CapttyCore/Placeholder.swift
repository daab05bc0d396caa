// placeholder; see issues
