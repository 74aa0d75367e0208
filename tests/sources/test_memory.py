from tests.sources.contract import SourceContract

from sync.sources import MemorySource


class TestMemorySource(SourceContract):
    def make_source(self, tmp_path, sheets):
        return MemorySource("mem", sheets)

    def rewrite(self, source, tmp_path, sheets):
        source._sheets = {k: [list(r) for r in v] for k, v in sheets.items()}
