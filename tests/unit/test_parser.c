/* The rflow parser: tree shapes (checked through ast_dump), spans, hook
 * forms, recovery with several errors in one run, the depth bounds and the
 * error cap. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"

typedef struct parsed {
    rf_arena *arena;
    source src;
    ast_file *ast;
    char *dump;              /* ast_dump of the result, "" when NULL */
    size_t dump_len;
    char *diagnostics;
    size_t diagnostics_len;
    unsigned errors;
} parsed;

static void parse_capped(parsed *p, const char *text, unsigned max_errors)
{
    memset(p, 0, sizeof *p);
    p->arena = rf_arena_new(0);
    source_init(&p->src, p->arena, "t.rflow", text, strlen(text));
    FILE *diag_out = open_memstream(&p->diagnostics, &p->diagnostics_len);
    diag d;
    diag_init(&d, diag_out, max_errors);
    diag_set_source(&d, &p->src);
    p->ast = ast_parse(p->arena, &p->src, &d);
    p->errors = d.errors;
    diag_free(&d);
    fclose(diag_out);
    FILE *dump_out = open_memstream(&p->dump, &p->dump_len);
    if (p->ast)
        ast_dump(dump_out, p->ast);
    fclose(dump_out);
}

static void parse(parsed *p, const char *text)
{
    parse_capped(p, text, 0);
}

static void done(parsed *p)
{
    free(p->dump);
    free(p->diagnostics);
    rf_arena_free(p->arena);
}

/* Parse and compare the dump exactly; the text must be error free. */
static void assert_dump(const char *text, const char *expected)
{
    parsed p;
    parse(&p, text);
    ck_assert_msg(p.ast != NULL, "errors:\n%s", p.diagnostics);
    ck_assert_msg(!strcmp(p.dump, expected), "dump:\n%s\nexpected:\n%s", p.dump, expected);
    done(&p);
}

/* The first member's value of the first block. */
static const ast_expr *first_value(const parsed *p)
{
    return p->ast->blocks.items[0]->members.items[0]->value;
}

/* ---- shapes ------------------------------------------------------------ */

START_TEST(declaration_with_base_and_members)
{
    assert_dump("serializer S : ModelSerializer {\n"
                "    model = Product;\n"
                "    fields = [id, name,];\n"
                "}\n",
                "serializer S : ModelSerializer @0+81\n"
                "  assign model @37+16\n"
                "    name Product @45+7\n"
                "  assign fields @58+21\n"
                "    list @67+11\n"
                "      name id @68+2\n"
                "      name name @72+4\n");
}
END_TEST

START_TEST(calls_with_positional_and_keyword_arguments)
{
    assert_dump("resource R { owner = ForeignKey(User, on_delete = CASCADE, null = true); }",
                "resource R @0+74\n"
                "  assign owner @13+59\n"
                "    call ForeignKey @21+50\n"
                "      name User @32+4\n"
                "      kw on_delete\n"
                "        name CASCADE @50+7\n"
                "      kw null\n"
                "        true @66+4\n");
}
END_TEST

START_TEST(method_chain_nests_receivers)
{
    assert_dump("view V { queryset = Product.filter(price.gte = 10).order_by(-created_at, id); }",
                "view V @0+79\n"
                "  assign queryset @9+68\n"
                "    call order_by @20+56\n"
                "      target\n"
                "        call filter @20+30\n"
                "          target\n"
                "            name Product @20+7\n"
                "          kw price.gte\n"
                "            int 10 @47+2\n"
                "      neg @60+11\n"
                "        name created_at @61+10\n"
                "      name id @73+2\n");
}
END_TEST

START_TEST(literals_and_maps)
{
    assert_dump("settings { X = { anon: \"1/s\", \"quoted key\": -0.5, e: {}, l: [] }; Y = null; }",
                "settings @0+77\n"
                "  assign X @11+54\n"
                "    map @15+49\n"
                "      entry anon\n"
                "        string \"1/s\" @23+5\n"
                "      entry quoted key (quoted)\n"
                "        decimal -0.5 @44+4\n"
                "      entry e\n"
                "        map @53+2\n"
                "      entry l\n"
                "        list @60+2\n"
                "  assign Y @66+9\n"
                "    null @70+4\n");
}
END_TEST

START_TEST(permission_precedence_tilde_and_or)
{
    /* ~ binds tightest, then &, then |, as in Python */
    assert_dump("view V { p = [A | B & ~C]; }",
                "view V @0+28\n"
                "  assign p @9+17\n"
                "    list @13+12\n"
                "      or @14+10\n"
                "        name A @14+1\n"
                "        and @18+6\n"
                "          name B @18+1\n"
                "          not @22+2\n"
                "            name C @23+1\n");
}
END_TEST

START_TEST(runs_are_flat_and_parentheses_group)
{
    /* a | b | c is one node; (a | b) | c keeps the grouping written */
    assert_dump("view V { p = a | b | c; q = (a | b) | c; }",
                "view V @0+42\n"
                "  assign p @9+14\n"
                "    or @13+9\n"
                "      name a @13+1\n"
                "      name b @17+1\n"
                "      name c @21+1\n"
                "  assign q @24+16\n"
                "    or @28+11\n"
                "      or @28+7\n"
                "        name a @29+1\n"
                "        name b @33+1\n"
                "      name c @38+1\n");
}
END_TEST

START_TEST(nested_blocks_and_statements)
{
    assert_dump("viewset P : ModelViewSet {\n"
                "  action list { serializer_class = S; }\n"
                "  extra_action publish { detail = true; }\n"
                "  hooks { perform_create = async(f); }\n"
                "}\n"
                "router api : DefaultRouter { register(\"p\", P, basename = \"x\"); }\n",
                "viewset P : ModelViewSet @0+149\n"
                "  action list @29+37\n"
                "    assign serializer_class @43+21\n"
                "      name S @62+1\n"
                "  extra_action publish @69+39\n"
                "    assign detail @92+14\n"
                "      true @101+4\n"
                "  hooks @111+36\n"
                "    assign perform_create @119+26\n"
                "      call async @136+8\n"
                "        name f @142+1\n"
                "router api : DefaultRouter @150+64\n"
                "  statement @179+33\n"
                "    call register @179+32\n"
                "      string \"p\" @188+3\n"
                "      name P @193+1\n"
                "      kw basename\n"
                "        string \"x\" @207+3\n");
}
END_TEST

START_TEST(kind_words_are_not_reserved)
{
    /* a field may be called like a declaration or block kind */
    assert_dump("resource R { action = CharField(); view = IntegerField(); async = true; }",
                "resource R @0+73\n"
                "  assign action @13+21\n"
                "    call CharField @22+11\n"
                "  assign view @35+22\n"
                "    call IntegerField @42+14\n"
                "  assign async @58+13\n"
                "    true @66+4\n");
}
END_TEST

START_TEST(tree_fields_for_sema)
{
    parsed p;
    parse(&p, "spec shop { x = a.b.Name(1, k = 2); }\nurls { path(\"a/\", V); }");
    ck_assert_ptr_nonnull(p.ast);
    ck_assert_uint_eq(p.ast->blocks.count, 2);
    const ast_block *spec = p.ast->blocks.items[0];
    ck_assert_int_eq(spec->kind, AST_SPEC);
    ck_assert_str_eq(spec->kind_word->text, "spec");
    ck_assert_str_eq(spec->name->text, "shop");
    ck_assert_ptr_null(spec->base);
    ck_assert_uint_eq(spec->open_brace.off, 10);
    const ast_expr *call = first_value(&p);
    ck_assert_int_eq(call->kind, AST_CALL);
    ck_assert_str_eq(call->u.call.callee->text, "Name");
    ck_assert_int_eq(call->u.call.target->kind, AST_NAME);
    ck_assert_str_eq(ast_dotted_text(p.arena, &call->u.call.target->u.name.parts), "a.b");
    ck_assert_uint_eq(call->u.call.args.count, 1);
    ck_assert_uint_eq(call->u.call.kwargs.count, 1);
    ck_assert_uint_eq(call->u.call.args_span.off, 24);
    ck_assert_uint_eq(call->u.call.args_span.len, 10);
    ck_assert_uint_eq(call->depth, 2);
    const ast_block *urls = p.ast->blocks.items[1];
    ck_assert_int_eq(urls->kind, AST_URLS);
    ck_assert_ptr_null(urls->name);
    ck_assert_int_eq(urls->members.items[0]->kind, AST_STATEMENT);
    ck_assert_ptr_null(urls->members.items[0]->call->u.call.target);
    done(&p);
}
END_TEST

START_TEST(empty_file_is_an_empty_tree)
{
    parsed p;
    parse(&p, "# nothing but a comment\n");
    ck_assert_ptr_nonnull(p.ast);
    ck_assert_uint_eq(p.ast->blocks.count, 0);
    done(&p);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

static void assert_diagnostics(const char *text, const char *expected)
{
    parsed p;
    parse(&p, text);
    ck_assert_ptr_null(p.ast);
    ck_assert_msg(!strcmp(p.diagnostics, expected), "got:\n%s\nexpected:\n%s", p.diagnostics, expected);
    done(&p);
}

START_TEST(missing_semicolon_is_repaired)
{
    /* the ';' is inserted, so the next member is still checked */
    assert_diagnostics("resource R {\n  a = 1\n  b = ;\n}\n",
                       "t.rflow:2:8: error: expected ';' before 'b'\n"
                       "  a = 1\n"
                       "       ^\n"
                       "t.rflow:3:7: error: expected a value before ';'\n"
                       "  b = ;\n"
                       "      ^\n");
}
END_TEST

START_TEST(recovery_reports_each_declaration)
{
    assert_diagnostics("resource A { x = (; }\n"
                       "resource B { y = [1 2]; }\n"
                       "resource { z = 1; }\n"
                       "resource C { ok = 1; }\n"
                       "resource D { w = f(a = ); }\n",
                       "t.rflow:1:19: error: expected a value before ';'\n"
                       "resource A { x = (; }\n"
                       "                  ^\n"
                       "t.rflow:2:21: error: expected ',' or ']' before '2'\n"
                       "resource B { y = [1 2]; }\n"
                       "                    ^\n"
                       "t.rflow:2:18: note: to match this '['\n"
                       "t.rflow:3:9: error: 'resource' needs a name: resource NAME { ... }\n"
                       "resource { z = 1; }\n"
                       "        ^\n"
                       "t.rflow:5:24: error: expected a value before ')'\n"
                       "resource D { w = f(a = ); }\n"
                       "                       ^\n");
}
END_TEST

START_TEST(parser_error_behind_lexer_error_is_suppressed)
{
    assert_diagnostics("spec s { t = \"abc;\n}\n",
                       "t.rflow:1:14: error: missing terminating \" character\n"
                       "spec s { t = \"abc;\n"
                       "             ^\n");
}
END_TEST

START_TEST(unclosed_bracket_gets_a_note)
{
    assert_diagnostics("resource R {\n  x = f(1;\n}\n",
                       "t.rflow:2:10: error: expected ',' or ')' before ';'\n"
                       "  x = f(1;\n"
                       "         ^\n"
                       "t.rflow:2:8: note: to match this '('\n");
}
END_TEST

START_TEST(end_of_file_inside_a_declaration)
{
    assert_diagnostics("resource R {\n  x = 1;\n",
                       "t.rflow:2:9: error: expected '}' or identifier before end of file\n"
                       "  x = 1;\n"
                       "        ^\n"
                       "t.rflow:1:12: note: to match this '{'\n");
}
END_TEST

START_TEST(block_kinds_and_shapes)
{
    assert_diagnostics("viewst V { }\n",
                       "t.rflow:1:1: error: unknown declaration kind 'viewst'; did you mean 'viewset'?\n"
                       "viewst V { }\n"
                       "^\n");
    assert_diagnostics("hooks { }\n",
                       "t.rflow:1:1: error: 'hooks' blocks belong inside a view or viewset\n"
                       "hooks { }\n"
                       "^\n");
    assert_diagnostics("urls U { }\n",
                       "t.rflow:1:6: error: 'urls' takes no name: urls { ... }\n"
                       "urls U { }\n"
                       "     ^\n");
    assert_diagnostics("postfetch P : Base { }\n",
                       "t.rflow:1:15: error: 'postfetch' takes no base class\n"
                       "postfetch P : Base { }\n"
                       "              ^\n");
}
END_TEST

START_TEST(positional_after_keyword)
{
    assert_diagnostics("resource R { f = F(a = 1, 2); }",
                       "t.rflow:1:27: error: positional argument after a keyword argument; "
                       "write positional arguments first\n"
                       "resource R { f = F(a = 1, 2); }\n"
                       "                          ^\n");
}
END_TEST

/* "settings { X = " + n '[' + "1" + n ']' + "; }" */
static char *nested_lists(int n)
{
    char *s = malloc((size_t)n * 2 + 32);
    char *w = s + sprintf(s, "settings { X = ");
    memset(w, '[', (size_t)n);
    w += n;
    *w++ = '1';
    memset(w, ']', (size_t)n);
    strcpy(w + n, "; }");
    return s;
}

/* Parse `text` (and free it): accepted, its first value exactly at the
 * depth limit. */
static void assert_at_depth_limit(char *text)
{
    parsed p;
    parse(&p, text);
    ck_assert_ptr_nonnull(p.ast);
    ck_assert_uint_eq(first_value(&p)->depth, AST_MAX_DEPTH);
    done(&p);
    free(text);
}

/* Parse `text` (and free it): refused with one error, whose first line is
 * `message`. */
static void assert_single_error(char *text, const char *message)
{
    parsed p;
    parse(&p, text);
    ck_assert_ptr_null(p.ast);
    ck_assert_uint_eq(p.errors, 1);
    size_t first_line = strcspn(p.diagnostics, "\n");
    ck_assert_msg(first_line == strlen(message) && !strncmp(p.diagnostics, message, first_line),
                  "got:\n%s", p.diagnostics);
    done(&p);
    free(text);
}

START_TEST(bracket_depth_bound)
{
    assert_at_depth_limit(nested_lists(AST_MAX_DEPTH - 1));   /* plus the block's '{' */
    assert_single_error(nested_lists(AST_MAX_DEPTH),
                        "t.rflow:1:79: error: brackets are nested too deeply (the limit is 64 levels)");
}
END_TEST

/* before + n copies of c + after, in a new string. */
static char *repeated(const char *before, char c, int n, const char *after)
{
    char *s = malloc(strlen(before) + (size_t)n + strlen(after) + 1);
    char *w = stpcpy(s, before);
    memset(w, c, (size_t)n);
    strcpy(w + n, after);
    return s;
}

static char *tildes(int n)
{
    return repeated("view V { p = ", '~', n, "A; }");
}

/* Parentheses count as a level too. */
static char *tildes_in_parens(int n)
{
    return repeated("view V { p = (", '~', n, "A); }");
}

START_TEST(expression_depth_bound)
{
    assert_at_depth_limit(tildes(AST_MAX_DEPTH - 1));
    assert_at_depth_limit(tildes_in_parens(AST_MAX_DEPTH - 2));
    assert_single_error(tildes_in_parens(AST_MAX_DEPTH - 1),
                        "t.rflow:1:14: error: expression is nested too deeply (the limit is 64 levels)");
    assert_single_error(tildes(AST_MAX_DEPTH),
                        "t.rflow:1:14: error: expression is nested too deeply (the limit is 64 levels)");
    /* so deep that lemon's own stack fills first: still one clean error, at
     * the '~' where it filled */
    assert_single_error(tildes(5000),
                        "t.rflow:1:1006: error: expression is nested too deeply (the limit is 64 levels)");
}
END_TEST

START_TEST(error_cap_stops_the_run)
{
    char text[4096] = "resource R {\n";
    for (int i = 0; i < 30; i++)
        strcat(text, "  x = ;\n");
    strcat(text, "}\n");
    parsed p;
    parse_capped(&p, text, 5);
    ck_assert_ptr_null(p.ast);
    ck_assert_uint_eq(p.errors, 5);
    static const char last_line[] = "rflowc: note: stopping after 5 errors (--max-errors=N sets the limit, 0 for none)\n";
    size_t n = strlen(p.diagnostics);
    ck_assert_uint_gt(n, sizeof last_line);
    ck_assert_str_eq(p.diagnostics + n - (sizeof last_line - 1), last_line);
    done(&p);
}
END_TEST

START_TEST(garbage_never_crashes)
{
    /* every byte value, and unbalanced brackets of every kind */
    char bytes[512];
    for (int i = 0; i < 256; i++)
        bytes[i] = (char)(i ? i : 'x');
    strcpy(bytes + 256, "}}}]]])))(((([[[{{{ resource { ; = : . & | ~ - \"");
    parsed p;
    parse(&p, bytes);
    ck_assert_ptr_null(p.ast);
    ck_assert_uint_ge(p.errors, 1);
    done(&p);
}
END_TEST

Suite *make_parser_suite(void)
{
    Suite *s = suite_create("parser");
    TCase *tc = tcase_create("shapes");
    tcase_add_test(tc, declaration_with_base_and_members);
    tcase_add_test(tc, calls_with_positional_and_keyword_arguments);
    tcase_add_test(tc, method_chain_nests_receivers);
    tcase_add_test(tc, literals_and_maps);
    tcase_add_test(tc, permission_precedence_tilde_and_or);
    tcase_add_test(tc, runs_are_flat_and_parentheses_group);
    tcase_add_test(tc, nested_blocks_and_statements);
    tcase_add_test(tc, kind_words_are_not_reserved);
    tcase_add_test(tc, tree_fields_for_sema);
    tcase_add_test(tc, empty_file_is_an_empty_tree);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, missing_semicolon_is_repaired);
    tcase_add_test(tc, recovery_reports_each_declaration);
    tcase_add_test(tc, parser_error_behind_lexer_error_is_suppressed);
    tcase_add_test(tc, unclosed_bracket_gets_a_note);
    tcase_add_test(tc, end_of_file_inside_a_declaration);
    tcase_add_test(tc, block_kinds_and_shapes);
    tcase_add_test(tc, positional_after_keyword);
    tcase_add_test(tc, bracket_depth_bound);
    tcase_add_test(tc, expression_depth_bound);
    tcase_add_test(tc, error_cap_stops_the_run);
    tcase_add_test(tc, garbage_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}
