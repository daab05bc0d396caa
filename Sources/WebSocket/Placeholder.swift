// placeholder; see issues
enum Placeholder {}
