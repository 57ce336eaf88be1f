# bcoslab — build, test and demo.
#
#   make            build ./bcoslab
#   make test       build and run the whole test suite, then again under ASan+UBSan, then the
#                   threaded tests (tests/threads/) under ThreadSanitizer
#   make demo       build and start the demo
#   make bench      build and run the benchmarks
#   make check T=test_rlp    run one test program (normal build)
#   make grade [EX=07]       grade the exercises (all, or the one whose folder starts with 07)
#   make deps       install the Debian packages bcoslab needs (every target does this first)
#   make V=1 ...    show the full compiler commands
#
# Every .c file under src/ and viz/ goes into the program; every tests/**/test_*.c is its own
# cmocka program linked with the same objects (minus main.c). Build trees live in build/<flavour>/.

CC      ?= cc
VECTORS ?= $(abspath ../shared/vectors)

# The dependency step: build/deps.mk is remade (and so the check and any apt-get install run)
# before make does anything else, because it is an included makefile.
PKGS := openssl libsecp256k1 ncursesw libcgraph libgvc rocksdb sqlite3 jansson libedit
-include build/deps.mk
build/deps.mk: scripts/deps.sh Makefile
	@scripts/deps.sh
	@mkdir -p build
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS := $$(pkg-config --libs $(PKGS)) -lpthread -lm"; \
	   echo "CMOCKA_CFLAGS := $$(pkg-config --cflags cmocka)"; \
	   echo "CMOCKA_LIBS := $$(pkg-config --libs cmocka)"; } > $@

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS_COMMON := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) -g -MMD -MP \
                 -Isrc -Iviz $(PKG_CFLAGS)

FLAVOUR ?= normal
ifeq ($(FLAVOUR),asan)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(FLAVOUR),tsan)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=thread
else
  OPT := -O2
endif
B ?= build/$(FLAVOUR)

# Quiet by default: one line per file ("CC src/codec/rlp.c"); V=1 shows the whole command.
ifeq ($(V),1)
  Q :=
  say = @true
else
  Q := @
  say = @printf '  %-5s %s\n' $(1) $(2)
endif

LIB_SRC  := $(shell find src $(wildcard viz) -name '*.c' ! -path 'src/app/main.c' | sort)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/src/app/main.o
TEST_SRC := $(shell find tests -name 'test_*.c' | sort)
TEST_HELPER_SRC := $(shell find tests -name '*.c' ! -name 'test_*.c' ! -path 'tests/grading/*' | sort)
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(B)/%.o)
TEST_BIN := $(TEST_SRC:%.c=$(B)/%)
# Tests of code that runs on several threads (the parallel executor, the stores it shares):
# they run in every flavour, and once more under ThreadSanitizer.
THREAD_TEST_BIN := $(filter $(B)/tests/threads/%,$(TEST_BIN))

# Exercises: exercises/NN-slug/ holds grader.c and the student's file(s). Each grader is built
# twice: with the student's files ($(B)/grade/NN-slug/student, what `make grade` runs) and with
# the reference solution tests/grading/NN-slug.c if there is one ($(B)/grade/NN-slug/reference);
# the self-check test (tests/cli/test_grade_selfcheck.c) proves the first fails on the untouched
# stubs and the second passes.
EX_NAMES := $(notdir $(patsubst %/grader.c,%,$(wildcard exercises/*/grader.c)))
EX_STUDENT_BIN := $(EX_NAMES:%=$(B)/grade/%/student)
EX_REFERENCE_BIN := $(patsubst tests/grading/%.c,$(B)/grade/%/reference,\
                      $(wildcard $(EX_NAMES:%=tests/grading/%.c)))
EX_BIN := $(EX_STUDENT_BIN) $(EX_REFERENCE_BIN)
# The self-check runs every grader twice, and a grader runs clusters: under ASan that would
# double the whole suite's time to prove nothing the normal build does not (the graders' code
# is the library's, which the ASan suite covers). So it runs in the normal build only.
ifneq ($(FLAVOUR),normal)
  TEST_BIN := $(filter-out %/test_grade_selfcheck,$(TEST_BIN))
  EX_BIN :=
endif

.SECONDARY:
.PHONY: all bcoslab deps test test-normal test-asan test-flavour test-threads check demo bench sim \
        clean tests grade
.DEFAULT_GOAL := all

all: bcoslab
bcoslab: $(B)/bcoslab
ifeq ($(B),build/normal)
	@ln -sf $(B)/bcoslab bcoslab
endif

deps:
	@scripts/deps.sh

$(B)/bcoslab: $(MAIN_OBJ) $(B)/libbcoslab.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(OPT) -o $@ $^ $(PKG_LIBS)

$(B)/libbcoslab.a: $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(B)/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(OPT) $(CMOCKA_CFLAGS) -c -o $@ $<

# Keccak's rounds are written as short loops, to be read; unrolled by the compiler they hash
# twice as fast (105 -> 230 MB/s here), and every block, receipt and row hash goes through them.
$(B)/src/crypto/keccak.o: OPT += -funroll-loops

$(B)/tests/%: tests/%.c $(TEST_HELPER_OBJ) $(B)/libbcoslab.a
	$(call say,TEST,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(OPT) $(CMOCKA_CFLAGS) -Itests -o $@ $< $(TEST_HELPER_OBJ) \
	    $(B)/libbcoslab.a $(PKG_LIBS) $(CMOCKA_LIBS)

# A grader: the exercise's grader.c, the harness, the test helpers (clusters on the simulator)
# and either the student's files or the reference solution.
GRADE_CC = $(CC) $(CFLAGS_COMMON) $(OPT) $(CMOCKA_CFLAGS) -Itests -Iexercises -Iexercises/$* \
           -DEX_DIR='"$(abspath exercises/$*)"'
GRADE_LIBS = $(TEST_HELPER_OBJ) $(B)/libbcoslab.a $(PKG_LIBS) $(CMOCKA_LIBS)
.SECONDEXPANSION:
$(B)/grade/%/student: exercises/%/grader.c exercises/grade.c \
        $$(filter-out exercises/$$*/grader.c,$$(wildcard exercises/$$*/*.c)) $$(wildcard exercises/$$*/*.h) \
        $(TEST_HELPER_OBJ) $(B)/libbcoslab.a
	$(call say,GRADE,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(GRADE_CC) -o $@ $(filter %.c,$^) $(GRADE_LIBS)

$(B)/grade/%/reference: exercises/%/grader.c exercises/grade.c tests/grading/%.c \
        $$(wildcard exercises/$$*/*.h) $(TEST_HELPER_OBJ) $(B)/libbcoslab.a
	$(call say,GRADE,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(GRADE_CC) -o $@ $(filter %.c,$^) $(GRADE_LIBS)

tests: $(TEST_BIN) $(B)/bcoslab $(EX_BIN)

# One flavour's suite: every test program, with the vectors and the binary they may drive.
test-flavour: tests
	@BL_VECTORS=$(VECTORS) BL_BIN=$(abspath $(B)/bcoslab) BL_GRADE_DIR=$(abspath $(B)/grade) \
	    scripts/run-tests.sh $(FLAVOUR) $(TEST_BIN)

# Only the threaded tests: the whole library is built with the flavour, but not the rest.
test-threads: $(THREAD_TEST_BIN)
	@BL_VECTORS=$(VECTORS) BL_BIN=$(abspath $(B)/bcoslab) scripts/run-tests.sh $(FLAVOUR) \
	    $(THREAD_TEST_BIN)

test:
	@$(MAKE) --no-print-directory FLAVOUR=normal bcoslab test-flavour
	@$(MAKE) --no-print-directory FLAVOUR=asan test-flavour
	@$(MAKE) --no-print-directory FLAVOUR=tsan test-threads

# make check T=test_rlp   (any part of a test program's path)
check: tests
	@BL_VECTORS=$(VECTORS) BL_BIN=$(abspath $(B)/bcoslab) BL_GRADE_DIR=$(abspath $(B)/grade) \
	    scripts/run-tests.sh $(FLAVOUR) \
	    $(if $(T),$(foreach t,$(TEST_BIN),$(if $(findstring $(T),$(t)),$(t))),$(TEST_BIN))

# make grade: every exercise, graded with the student's files; make grade EX=07: only 07-*.
grade: $(if $(EX),$(filter $(B)/grade/$(EX)%,$(EX_STUDENT_BIN)),$(EX_STUDENT_BIN)) $(B)/bcoslab
	@BL_VECTORS=$(VECTORS) BL_BIN=$(abspath $(B)/bcoslab) scripts/grade.sh $(filter $(B)/grade/%,$^)

# The live demo: nodes A, B, C, D; group 1 on PBFT, group 2 (A and B) on Raft. q quits.
demo: bcoslab
	./bcoslab demo

# Benchmarks print numbers for the issue notes; they are not part of `make test`.
bench: bcoslab
	./bcoslab bench storage
	./bcoslab bench pte
	./bcoslab bench tps

# The consensus sweep with more seeds than make test runs: make sim N=5000 [SEED=S].
N ?= 5000
SEED ?= 1
sim: $(B)/tests/unit/test_consensus_sweep
	BL_SWEEP_N=$(N) BL_SWEEP_SEED=$(SEED) $(B)/tests/unit/test_consensus_sweep

clean:
	rm -rf build bcoslab

-include $(shell find $(B) -name '*.d' 2>/dev/null)
