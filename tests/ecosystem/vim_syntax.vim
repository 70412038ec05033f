" The Vim syntax file (editors/vim) on specs/shop.rflow: chosen words get
" their highlight groups, and the file loads with no error.  Run by
" mk/ecosystem.mk as
"   vim -Nu NONE -i NONE -Es -c 'let g:out = "FILE"' -S tests/ecosystem/vim_syntax.vim
" which writes "N passed, N failed" (and each failure) to FILE.
set runtimepath^=editors/vim
filetype on
syntax on
edit specs/shop.rflow
let s:failures = []
let s:passed = 0

" [line containing, word, expected syntax group]
let s:expect = [
      \ ['spec shop {', 'spec', 'rflowDeclaration'],
      \ ['spec shop {', 'shop', 'rflowDeclName'],
      \ ['# shop.rflow', 'shop', 'rflowComment'],
      \ ['title = "Shop API"', 'title', 'rflowMember'],
      \ ['title = "Shop API"', 'Shop', 'rflowString'],
      \ ['name        = CharField(', 'CharField', 'rflowFieldType'],
      \ ['max_length = 200', '200', 'rflowNumber'],
      \ ['is_top      = BooleanField(default = false)', 'false', 'rflowConstant'],
      \ ['IsAuthenticatedOrReadOnly & (IsOwner', 'IsAuthenticatedOrReadOnly', 'rflowBuiltin'],
      \ ['IsAuthenticatedOrReadOnly & (IsOwner', '&', 'rflowOperator'],
      \ ['action create {', 'action', 'rflowBlock'],
      \ ['action create {', 'create', 'rflowBlockName'],
      \ ['viewset Products : AsyncModelViewSet', 'AsyncModelViewSet', 'rflowBuiltin'],
      \ ]

if &filetype !=# 'rflow'
  call add(s:failures, 'filetype is "' . &filetype . '", not rflow')
endif
for [s:context, s:word, s:group] in s:expect
  let s:lnum = search('\V' . escape(s:context, '\'), 'cw')
  if s:lnum == 0
    call add(s:failures, 'no line with: ' . s:context)
    continue
  endif
  let s:col = stridx(getline(s:lnum), s:word, stridx(getline(s:lnum), s:context)) + 1
  let s:got = synIDattr(synID(s:lnum, s:col, 1), 'name')
  if s:got ==# s:group
    let s:passed += 1
  else
    call add(s:failures, printf('%s in "%s": %s, want %s', s:word, s:context, s:got, s:group))
  endif
endfor
call writefile(s:failures + [printf('%d passed, %d failed', s:passed, len(s:failures))], g:out)
qall!
