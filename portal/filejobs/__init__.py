"""Files built in the background (``FileJob``): an app registers a kind and how to build it, a
view asks for one, the user follows its progress and downloads the result."""
