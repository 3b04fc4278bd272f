"""Result objects shared by the submodules."""


class Result(dict):
    """A dict whose keys are also attributes, like scipy's OptimizeResult."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e

    def __setattr__(self, name, value):
        self[name] = value

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return f"{type(self).__name__}()"
        width = max(map(len, self.keys())) + 1
        return "\n".join(f"{k.rjust(width)}: {_brief(v)}" for k, v in self.items())


def _brief(value):
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
