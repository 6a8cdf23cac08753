"""The walk's building blocks: header, path panel, answers, input, action and problems panels."""
