package asl

// mapState checks a Map state's processor, items, settings, batcher, reader and writer.
func (c *checker) mapState(path string, st *state, n *mapNode, obj map[string]any, lang string) {
	c.mapProcessor(path, n, obj, lang)
	c.mapItems(path, st, n, obj)
	c.mapLimits(path, st, n, obj)
	if v, ok := obj["ItemBatcher"]; ok {
		n.itemBatcher = c.itemBatcher(join(path, "ItemBatcher"), v, st.jsonata)
	}
	n.itemReader, n.itemReaderParams = c.readerWriter(path, obj, "ItemReader")
	n.resultWriter, n.resultWriterParams = c.readerWriter(path, obj, "ResultWriter")
}

// mapProcessor checks the ItemProcessor (or the legacy Iterator) and its mode.
func (c *checker) mapProcessor(path string, n *mapNode, obj map[string]any, lang string) {
	field := "ItemProcessor"
	pv, ok := obj["ItemProcessor"]
	if !ok {
		pv, ok = obj["Iterator"]
		field = "Iterator"
	} else if _, both := obj["Iterator"]; both {
		c.add(path, "ItemProcessor and Iterator may not both be set")
	}
	if !ok {
		c.add(join(path, "ItemProcessor"), "is required")
		return
	}
	po, isObj := pv.(map[string]any)
	if !isObj {
		c.add(join(path, field), "must be an object")
		return
	}
	p := join(path, field)
	c.fields(p, po, "StartAt", "States", "Comment", "ProcessorConfig", "QueryLanguage")
	if cfg, ok := po["ProcessorConfig"].(map[string]any); ok {
		c.fields(join(p, "ProcessorConfig"), cfg, "Mode", "ExecutionType")
		switch cfg["Mode"] {
		case nil, "INLINE":
		case "DISTRIBUTED":
			n.distributed = true
			n.label, _ = obj["Label"].(string)
		default:
			c.add(join(p, "ProcessorConfig.Mode"), "must be \"INLINE\" or \"DISTRIBUTED\"")
		}
	}
	n.processor = c.graph(p, po, c.queryLanguage(p, po, lang), true)
	n.processor.distributed = n.distributed
}

// mapItems checks Items or ItemsPath and ItemSelector (or the legacy Parameters, which the
// state's common check has already compiled).
func (c *checker) mapItems(path string, st *state, n *mapNode, obj map[string]any) {
	if st.jsonata {
		if v, ok := obj["Items"]; ok {
			n.items = c.jsonata(join(path, "Items"), v)
		}
	} else {
		n.itemsPath = c.refPath(path, obj, "ItemsPath")
		if _, ok := obj["Parameters"]; ok {
			if _, both := obj["ItemSelector"]; both {
				c.add(path, "ItemSelector and Parameters may not both be set")
			}
			n.itemSelector = st.parameters
			st.parameters = nil
		}
	}
	if v, ok := obj["ItemSelector"]; ok {
		if st.jsonata {
			n.itemSelector = c.jsonata(join(path, "ItemSelector"), v)
		} else {
			n.itemSelector = c.payload(join(path, "ItemSelector"), v)
		}
	}
}

// mapLimits checks MaxConcurrency and the tolerated failures, each given directly, by path or
// by JSONata.
func (c *checker) mapLimits(path string, st *state, n *mapNode, obj map[string]any) {
	c.intSetting(path, obj, "MaxConcurrency", 0, 99999999, st.jsonata, true,
		intTarget{&n.maxConcurrency, &n.maxConcurrencyPath, &n.maxConcurrencyExpr})
	n.hasToleratedCount = c.intSetting(path, obj, "ToleratedFailureCount", 0, 99999999, st.jsonata, true,
		intTarget{&n.toleratedCount, &n.toleratedCountPath, &n.toleratedCountExpr})
	if v, ok := obj["ToleratedFailurePercentage"]; ok {
		n.hasToleratedPercent = true
		if _, isStr := v.(string); isStr && st.jsonata {
			n.toleratedPercentExpr = c.jsonata(join(path, "ToleratedFailurePercentage"), v)
		} else if f, ok := c.number(path, obj, "ToleratedFailurePercentage"); ok {
			if f < 0 || f > 100 {
				c.soft(join(path, "ToleratedFailurePercentage"), "must be between 0 and 100")
			}
			n.toleratedPercent = f
		}
	}
	if _, ok := obj["ToleratedFailurePercentagePath"]; ok {
		n.hasToleratedPercent = true
		n.toleratedPercentPath = c.refPath(path, obj, "ToleratedFailurePercentagePath")
	}
}

// itemBatcher checks an ItemBatcher (at p); nil when it is not an object.
func (c *checker) itemBatcher(p string, v any, jsonata bool) *itemBatcher {
	bo, isObj := v.(map[string]any)
	if !isObj {
		c.add(p, "must be an object")
		return nil
	}
	b := &itemBatcher{}
	c.fields(p, bo, "MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput")
	// As with the Map state's own settings, a limit and its Path may not both be given.
	b.hasMaxItems = c.intSetting(p, bo, "MaxItemsPerBatch", 1, 99999999, jsonata, true,
		intTarget{&b.maxItems, &b.maxItemsPath, &b.maxItemsExpr})
	b.hasMaxInputSize = c.intSetting(p, bo, "MaxInputBytesPerBatch", 1, 262144, jsonata, true,
		intTarget{&b.maxBytes, &b.maxBytesPath, &b.maxBytesExpr})
	if bi, ok := bo["BatchInput"]; ok {
		if jsonata {
			b.batchInput = c.jsonata(join(p, "BatchInput"), bi)
		} else {
			b.batchInput = c.payload(join(p, "BatchInput"), bi)
		}
	}
	if !b.hasMaxItems && !b.hasMaxInputSize {
		c.add(p, "needs MaxItemsPerBatch or MaxInputBytesPerBatch")
	}
	return b
}

// readerWriter checks an ItemReader or ResultWriter (field) and compiles its Parameters or
// Arguments; both results are nil when the field is absent or not an object.
func (c *checker) readerWriter(path string, obj map[string]any, field string) (map[string]any, template) {
	v, ok := obj[field]
	if !ok {
		return nil, nil
	}
	p := join(path, field)
	ro, isObj := v.(map[string]any)
	if !isObj {
		c.add(p, "must be an object")
		return nil, nil
	}
	if _, ok := ro["Resource"].(string); !ok {
		c.add(join(p, "Resource"), "is required")
	}
	if pv, ok := ro["Parameters"]; ok {
		return ro, c.payload(join(p, "Parameters"), pv)
	}
	if av, ok := ro["Arguments"]; ok {
		return ro, c.jsonata(join(p, "Arguments"), av)
	}
	return ro, nil
}
