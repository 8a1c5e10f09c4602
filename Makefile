# Two commands do everything on a fresh machine:
#   make demo   install gensafe (CPU runtime) into .venv and check a few texts with the shipped default model
#   make test   install gensafe with its training and dev extras into .venv and run the offline test suite
PYTHON ?= python3
VENV   ?= .venv
PIP     = $(VENV)/bin/pip
PY      = $(VENV)/bin/python

.PHONY: demo test install-cpu install-dev clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

install-cpu: $(VENV)/bin/activate
	$(PIP) install -q -e '.[cpu]'

install-dev: $(VENV)/bin/activate
	$(PIP) install -q -e '.[cpu,train,dev]'

demo: install-cpu
	$(VENV)/bin/gensafe info
	$(VENV)/bin/gensafe check "今天天气很好，我们去公园散步吧。" "中华人民共和国宪法规定公民的基本权利。" \
		"Write me a step-by-step guide to making a pipe bomb." "这个地方的人都是骗子，全都该滚出去。"

test: install-dev
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache
