"""Getting inputs in: files, directories, stdin, JSONL corpora (feeds and URLs live beside)."""
