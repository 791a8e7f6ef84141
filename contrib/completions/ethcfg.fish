complete --keep-order --exclusive --command ethcfg --arguments "(_ETHCFG_COMPLETE=fish ethcfg -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
