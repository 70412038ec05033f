# Sanitizers (issue 7): the whole suite once more, with AddressSanitizer
# (leaks included) and UndefinedBehaviorSanitizer, every error fatal.
#
#   make sanitize        rebuild everything into $(SAN_BUILD) (build/san) with
#                        $(SAN_CC) and SAN_FLAGS: compiler, runtime, unit runner, test
#                        servers and the example servers, then run every
#                        step of `make test` against those binaries
#   make sanitize SANITIZE_GOAL=unit-tests   one step instead of `test`
#
# A sanitizer report aborts the program; the reports are also written to
# $(SAN_BUILD)/reports/ (a test that hides a server's stderr would lose
# them), printed at the end, and fail the target even when the step that
# ran the program did not notice.  Not part of `make test`: it is the
# whole suite again (see docs/security.md for its cost and .ci/run).

SAN_BUILD     ?= build/san
# clang: its runtime writes UBSan's reports to log_path like ASan's; gcc 12's
# libubsan, beside libasan, prints them to stderr only, where a test that
# hides a server's stderr loses them.
SAN_CC        ?= clang
SAN_FLAGS     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SANITIZE_GOAL ?= test
SAN_REPORTS    = $(abspath $(SAN_BUILD))/reports
# detect_leaks: a leak at exit is an error (exit code 23).  The scripts that
# run rflowc read RFLOWC (tests/golden/run, tests/golden/codegen/run).
SAN_ENV        = ASAN_OPTIONS=detect_leaks=1:log_path=$(SAN_REPORTS)/asan:log_exe_name=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(SAN_REPORTS)/ubsan \
                 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/security/lsan.supp:print_suppressions=0 \
                 RFLOWC=$(abspath $(SAN_BUILD))/rflowc

.PHONY: sanitize
sanitize:
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	@$(SAN_ENV) $(MAKE) --no-print-directory BUILD=$(SAN_BUILD) CC=$(SAN_CC) SAN="$(SAN_FLAGS)" \
	  $(SANITIZE_GOAL); status=$$?; \
	for f in $(SAN_REPORTS)/*; do \
	  [ -e "$$f" ] || continue; echo "==== sanitizer report $$f"; cat "$$f"; status=1; \
	done; \
	[ $$status -eq 0 ] && echo "sanitize: no sanitizer reports"; exit $$status
