" restflow API specs
autocmd BufNewFile,BufRead *.rflow setfiletype rflow
