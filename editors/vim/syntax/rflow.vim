" Vim syntax file
" Language:    rflow (restflow API specs, Django REST Framework's vocabulary)
" Maintainer:  restflow
" Filenames:   *.rflow
" Install:     copy editors/vim/ into ~/.vim (or add it to 'runtimepath');
"              `make install` puts it under $PREFIX/share/restflow/editors/vim.

if exists("b:current_syntax")
  finish
endif

syn case match

" Comments: # and // to the end of the line.
syn match   rflowComment      "#.*$" contains=rflowTodo,@Spell
syn match   rflowComment      "//.*$" contains=rflowTodo,@Spell
syn keyword rflowTodo         TODO FIXME XXX NOTE contained

" Strings (single quotes are a slip the compiler reports; shown all the same).
syn region  rflowString       start=+"+ skip=+\\\\\|\\"+ end=+"\|$+ contains=rflowEscape,@Spell oneline
syn region  rflowString       start=+'+ skip=+\\\\\|\\'+ end=+'\|$+ contains=rflowEscape oneline
syn match   rflowEscape       +\\\(["'\\/bfnrt]\|u\x\{4}\)+ contained

syn keyword rflowConstant     true false null
syn match   rflowNumber       "\%([A-Za-z0-9_.]\)\@<!-\=\d\+\%(\.\d\+\)\=\>"

" Declarations: KIND Name [: Base] {
syn keyword rflowDeclaration  spec settings databases resource serializer postfetch
                            \ pagination throttle permission authentication view
                            \ viewset router urls nextgroup=rflowDeclName skipwhite
syn match   rflowDeclName     "\<[A-Za-z_][A-Za-z0-9_]*\>" contained
" Blocks inside declarations.
syn keyword rflowBlock        action extra_action nextgroup=rflowBlockName skipwhite
syn keyword rflowBlock        hooks
syn match   rflowBlockName    "\<[A-Za-z_][A-Za-z0-9_]*\>" contained

" key = value
syn match   rflowMember       "^\s*\zs[A-Za-z_][A-Za-z0-9_]*\ze\s*=[^=]"

" Hook forms and query values.
syn match   rflowHookForm     "\<\%(async\|blocking\|sync\)\ze\s*("
syn match   rflowSpecial      "\<\%(url\|request\)\.[A-Za-z_][A-Za-z0-9_]*"

syn keyword rflowFieldType    AutoField BigAutoField IntegerField BigIntegerField
                            \ FloatField DecimalField BooleanField CharField TextField
                            \ EmailField URLField SlugField UUIDField DateField
                            \ DateTimeField JSONField ForeignKey ChoiceField
                            \ PrimaryKeyRelatedField ReadOnlyField
syn keyword rflowBuiltin      Serializer ModelSerializer PageNumberPagination
                            \ LimitOffsetPagination CursorPagination AnonRateThrottle
                            \ UserRateThrottle ScopedRateThrottle BasePermission
                            \ BaseAuthentication AllowAny IsAuthenticated IsAdminUser
                            \ IsAuthenticatedOrReadOnly TokenAuthentication
                            \ BasicAuthentication SessionAuthentication
                            \ DjangoFilterBackend SearchFilter OrderingFilter JSONParser
                            \ FormParser MultiPartParser JSONRenderer BrowsableAPIRenderer
                            \ ListModelMixin CreateModelMixin RetrieveModelMixin
                            \ UpdateModelMixin DestroyModelMixin SimpleRouter DefaultRouter
                            \ User Token CASCADE PROTECT SET_NULL
syn match   rflowBuiltin      "\<\%(Async\)\=\%(APIView\|GenericAPIView\|CreateAPIView\|ListAPIView\|RetrieveAPIView\|DestroyAPIView\|UpdateAPIView\|ListCreateAPIView\|RetrieveUpdateAPIView\|RetrieveDestroyAPIView\|RetrieveUpdateDestroyAPIView\|ViewSet\|GenericViewSet\|ReadOnlyModelViewSet\|ModelViewSet\)\>"

syn match   rflowOperator     "[&|~]"

hi def link rflowComment      Comment
hi def link rflowTodo         Todo
hi def link rflowString       String
hi def link rflowEscape       SpecialChar
hi def link rflowConstant     Constant
hi def link rflowNumber       Number
hi def link rflowDeclaration  Structure
hi def link rflowDeclName     Type
hi def link rflowBlock        Statement
hi def link rflowBlockName    Function
hi def link rflowMember       Identifier
hi def link rflowHookForm     StorageClass
hi def link rflowSpecial      Special
hi def link rflowFieldType    Type
hi def link rflowBuiltin      Type
hi def link rflowOperator     Operator

let b:current_syntax = "rflow"
