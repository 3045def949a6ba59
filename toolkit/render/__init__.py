"""Renderers: each turns the compiled journey graph into output files.

A renderer is a function ``render(graph, options) -> dict[str, bytes]`` mapping a path
relative to the output folder (POSIX separators) to the file's content. Renderers never
write files themselves; the writer does (see toolkit.write).
"""
