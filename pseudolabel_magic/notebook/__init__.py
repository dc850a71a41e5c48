"""The notebook front ends: the cell magic, what it displays, and the widget panel."""
