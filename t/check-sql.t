#!/usr/bin/env perl
# t/check-sql.t -- no SQL is built from strings at run time.
#
# Every statement prickle sends must be fixed text known at compile time;
# values travel only as prepared-statement parameters.  This test reads
# src/*.c (and the macros of src/*.h) and checks:
#
#  1. Every SQL argument of a sink is a constant: string literals, macros
#     whose bodies are constants, static const char arrays initialised with
#     constants (also indexed: NAME[i] of an array of constants), a local
#     variable only ever assigned constants, or `cond ? CONST : CONST`.
#     Sinks are db_exec() (argument 3) and libmariadb's mysql_query,
#     mysql_real_query, mysql_send_query and mysql_stmt_prepare (argument
#     2).  When the argument is a parameter of the calling function, that
#     function becomes a sink for the parameter, and every call of it is
#     checked the same way (so wrappers such as db.c's db_simple or a
#     helper taking `const char *sql` are followed to their callers).
#  2. The text-protocol calls (mysql_query, mysql_real_query,
#     mysql_send_query) and <mysql.h> appear only in src/db.c.
#  3. db_exec_script() -- the multi-statement runner for the embedded
#     schema migrations -- is called only from src/migrate.c.
#  4. No string literal is an SQL statement with a printf conversion in it
#     (e.g. "SELECT ... WHERE id = %s"), whatever function receives it.
#
# A self-test runs the same analysis on planted bad code first, so the
# test proves it can fail.  Uses only core Perl.
use strict;
use warnings;

my $top = $ENV{top_srcdir} // do {
	my $d = $0;
	$d =~ s{/[^/]*$}{} or $d = '.';
	"$d/..";
};
my $srcdir = "$top/src";

my $n = 0;
my $failed = 0;

sub ok {
	my ($cond, $name, @diag) = @_;
	$n++;
	$name =~ s/#/\\#/g;
	print(($cond ? "ok" : "not ok") . " $n - $name\n");
	unless ($cond) {
		$failed++;
		print "# $_\n" for map { split /\n/ } @diag;
	}
}

# --- lexing ---------------------------------------------------------------------

# Replace comments by blanks (newlines kept), leaving strings alone.
sub strip_comments {
	my ($s) = @_;
	$s =~ s{
		( "(?:\\.|[^"\\\n])*" | '(?:\\.|[^'\\\n])*' )
		| ( /\*.*?\*/ | //[^\n]* )
	}{
		defined $1 ? $1 : do { (my $c = $2) =~ s/[^\n]/ /g; $c }
	}gsex;
	return $s;
}

# Tokens: [type, text, line]; types: str chr id num punct.
sub tokenize {
	my ($s) = @_;
	my @t;
	my $line = 1;
	while ($s =~ m{
		\G(?:
		  (\s+)
		| ("(?:\\.|[^"\\\n])*")
		| ('(?:\\.|[^'\\\n])*')
		| ([A-Za-z_]\w*)
		| (\.?\d[\w.]*)
		| (->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=?:;,.(){}\[\]#\\])
		| (.)
		)
	}gsx) {
		if (defined $1) { $line += ($1 =~ tr/\n//); next }
		if (defined $2) { push @t, ['str', $2, $line]; next }
		if (defined $3) { push @t, ['chr', $3, $line]; next }
		if (defined $4) { push @t, ['id', $4, $line]; next }
		if (defined $5) { push @t, ['num', $5, $line]; next }
		if (defined $6) { push @t, ['punct', $6, $line]; next }
		push @t, ['punct', $7, $line];
	}
	return \@t;
}

# --- one source set -------------------------------------------------------------
#
# analyse(\%files) with %files = (name => text); returns a report hash:
#   sinks    => number of sink arguments checked
#   problems => [ "file:line: message", ... ]

my %BASE_SINKS = (
	db_exec => 2,
	mysql_query => 1,
	mysql_real_query => 1,
	mysql_send_query => 1,
	mysql_stmt_prepare => 1,
);
my %TEXT_PROTOCOL = map { $_ => 1 } qw(mysql_query mysql_real_query mysql_send_query);
my $SQL_SHAPE = qr/\b(?:SELECT\b.*\bFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|REPLACE\s+INTO|(?:CREATE|DROP|ALTER|TRUNCATE)\s+TABLE)\b/s;
my $PRINTF_CONV = qr/%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t|L)?[sdiuxXfgcp]/;

sub analyse {
	my ($files, $db_file, $migrate_file) = @_;
	my (%macro, %fmacro, %const_array, %const_table, %funcs, @calls, @problems);
	my $sinks = 0;

	# Pass 1: macros (with continuations) from every file.
	for my $f (sort keys %$files) {
		my $text = strip_comments($files->{$f});
		$text =~ s/\\\n/ /g;
		while ($text =~ /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\(([^)]*)\))?[ \t]*(.*)$/mg) {
			my ($name, $fl, $params, $body) = ($1, $2, $3, $4);
			if (defined $fl) {
				$fmacro{$name} = { body => tokenize($body),
				    params => [ grep { length } map { s/^\s+|\s+$//gr } split /,/, $params ] };
			} else {
				$macro{$name} = tokenize($body);
			}
		}
	}

	my %tokens;
	for my $f (sort keys %$files) {
		# Preprocessor lines are not code: blank them, keeping lines.
		my $text = strip_comments($files->{$f});
		$text =~ s/\\\n/  \n/g;	# keep line numbers
		$text =~ s/^([ \t]*#.*)$/' ' x length($1)/mge;
		$tokens{$f} = tokenize($text);
	}

	# Pass 2: static const char arrays / pointer tables of constants, and
	# functions with their parameters and bodies.
	for my $f (sort keys %tokens) {
		my $t = $tokens{$f};
		my $depth = 0;
		for (my $i = 0; $i < @$t; $i++) {
			my $x = $t->[$i][1];
			if ($x eq '{') { $depth++; next }
			if ($x eq '}') { $depth--; next }
			# NAME [ ] = ...  or  *const NAME = ... at file scope or in a
			# function (static const).
			if ($t->[$i][0] eq 'id' && $i + 3 < @$t &&
			    $t->[$i + 1][1] eq '[' && $t->[$i + 2][1] eq ']' &&
			    $t->[$i + 3][1] eq '=') {
				my $decl = join ' ', map { $_->[1] } @$t[max0($i - 6) .. $i - 1];
				if ($decl =~ /\bconst\b/ && $decl =~ /\bchar\b/) {
					my ($init, $end) = until_semicolon($t, $i + 4);
					if (@$init && $init->[0][1] eq '{') {
						$const_table{$x} = [ @$init[1 .. $#$init - 1] ];
					} else {
						$const_array{$x} = $init;
					}
				}
			}
			next unless $depth == 0 && $t->[$i][0] eq 'id' &&
			    $i + 1 < @$t && $t->[$i + 1][1] eq '(';
			# A function definition: NAME ( params ) {
			my $close = match_paren($t, $i + 1);
			next unless defined $close && $close + 1 < @$t &&
			    $t->[$close + 1][1] eq '{';
			my $bend = match_brace($t, $close + 1);
			next unless defined $bend;
			my @params;
			for my $p (split_args($t, $i + 2, $close - 1)) {
				my @ids = grep { $_->[0] eq 'id' } @$p;
				push @params, @ids ? $ids[-1][1] : '';
			}
			push @{ $funcs{$x} }, { file => $f, name => $x,
			    params => \@params, start => $close + 2, end => $bend - 1 };
			$i = $bend;
		}
	}

	# Pass 3: every call inside every function body.
	for my $name (sort keys %funcs) {
		for my $fn (@{ $funcs{$name} }) {
			my $t = $tokens{ $fn->{file} };
			for (my $i = $fn->{start}; $i <= $fn->{end}; $i++) {
				next unless $t->[$i][0] eq 'id' && $i + 1 <= $fn->{end} &&
				    $t->[$i + 1][1] eq '(';
				next if $i > 0 && ($t->[$i - 1][1] eq '.' || $t->[$i - 1][1] eq '->');
				my $close = match_paren($t, $i + 1);
				next unless defined $close;
				push @calls, { callee => $t->[$i][1], fn => $fn,
				    args => [ split_args($t, $i + 2, $close - 1) ],
				    line => $t->[$i][2] };
			}
		}
	}

	# Is a token list a compile-time constant?  (fn: the function it is in)
	my $is_const;
	$is_const = sub {
		my ($toks, $fn, $seen) = @_;
		$seen //= {};
		my @t = grep { !($_->[0] eq 'punct' && ($_->[1] eq '(' || $_->[1] eq ')')) } @$toks;
		return 0 unless @t;
		# cond ? A : B
		for my $q (0 .. $#$toks) {
			next unless $toks->[$q][1] eq '?';
			my $depth = 0;
			for my $c ($q + 1 .. $#$toks) {
				$depth++ if $toks->[$c][1] eq '?';
				if ($toks->[$c][1] eq ':') {
					if ($depth == 0) {
						return $is_const->([ @$toks[$q + 1 .. $c - 1] ], $fn, $seen) &&
						    $is_const->([ @$toks[$c + 1 .. $#$toks] ], $fn, $seen);
					}
					$depth--;
				}
			}
			return 0;
		}
		# NAME [ index ] of a table of constants
		if (@t >= 3 && $t[0][0] eq 'id' && $t[1][1] eq '[' && $t[-1][1] eq ']' &&
		    exists $const_table{ $t[0][1] }) {
			my @el = split_list($const_table{ $t[0][1] });
			return 0 unless @el;
			for my $e (@el) {
				return 0 unless $is_const->($e, undef, $seen);
			}
			return 1;
		}
		for (my $i = 0; $i < @$toks; $i++) {
			my $tok = $toks->[$i];
			next if $tok->[0] eq 'str';
			next if $tok->[0] eq 'punct' && ($tok->[1] eq '(' || $tok->[1] eq ')');
			# #param in a macro body: stringized, so a literal
			if ($tok->[1] eq '#' && $i + 1 < @$toks && $toks->[$i + 1][0] eq 'id') {
				$i++;
				next;
			}
			return 0 unless $tok->[0] eq 'id';
			my $id = $tok->[1];
			# A function-like macro: constant when its arguments are
			# and its body is, with the parameters taken as given.
			if (exists $fmacro{$id} && $i + 1 < @$toks && $toks->[$i + 1][1] eq '(') {
				my $close = match_paren($toks, $i + 1);
				return 0 unless defined $close;
				for my $a (split_args($toks, $i + 2, $close - 1)) {
					return 0 unless $is_const->($a, $fn, $seen);
				}
				unless ($seen->{"$id()"}) {
					local $seen->{"$id()"} = 1;
					local @{$seen}{ @{ $fmacro{$id}{params} } } =
					    (1) x @{ $fmacro{$id}{params} };
					return 0 unless $is_const->($fmacro{$id}{body}, undef, $seen);
				}
				$i = $close;
				next;
			}
			next if $seen->{$id};
			local $seen->{$id} = 1;
			if (exists $macro{$id}) {
				return 0 unless $is_const->($macro{$id}, undef, $seen);
				next;
			}
			if (exists $const_array{$id}) {
				return 0 unless $is_const->($const_array{$id}, undef, $seen);
				next;
			}
			if (@t == 1 && $fn && local_const($tokens{ $fn->{file} }, $fn, $id,
			    sub { $is_const->($_[0], $fn, $seen) })) {
				next;
			}
			return 0;
		}
		return 1;
	};

	# Work list of sinks: name => { index => why }.
	my %sink = map { $_ => { $BASE_SINKS{$_} => 'SQL argument' } } keys %BASE_SINKS;
	my %done;
	my $changed = 1;
	while ($changed) {
		$changed = 0;
		for my $c (@calls) {
			my $idxs = $sink{ $c->{callee} } or next;
			for my $k (sort keys %$idxs) {
				my $key = join "\0", $c->{fn}{file}, $c->{line}, $c->{callee}, $k;
				next if $done{$key}++;
				$sinks++;
				my $where = "$c->{fn}{file}:$c->{line}";
				if ($c->{callee} eq 'db_exec_script') {
					next;
				}
				my $arg = $c->{args}[$k];
				unless ($arg) {
					push @problems, "$where: $c->{callee}() without argument " . ($k + 1);
					next;
				}
				next if $is_const->($arg, $c->{fn});
				# A parameter of the caller: the caller is a sink too.
				my @real = grep { !($_->[1] eq '(' || $_->[1] eq ')') } @$arg;
				if (@real == 1 && $real[0][0] eq 'id') {
					my $pi = param_index($c->{fn}, $real[0][1]);
					if (defined $pi) {
						if ($c->{fn}{name} eq 'db_exec_script') {
							next;	# the migration runner (rule 3)
						}
						unless (exists $sink{ $c->{fn}{name} }{$pi}) {
							$sink{ $c->{fn}{name} }{$pi} = "passed on to $c->{callee}()";
							$changed = 1;
						}
						next;
					}
				}
				push @problems, "$where: $c->{callee}() argument " . ($k + 1) .
				    " is not constant SQL: " . join(' ', map { $_->[1] } @$arg) .
				    " (in $c->{fn}{name}())";
			}
		}
	}

	# Rule 2 and 3.
	for my $c (@calls) {
		my $where = "$c->{fn}{file}:$c->{line}";
		if ($TEXT_PROTOCOL{ $c->{callee} } && $c->{fn}{file} ne $db_file) {
			push @problems, "$where: $c->{callee}() outside $db_file";
		}
		if ($c->{callee} eq 'db_exec_script' && $c->{fn}{file} ne $migrate_file) {
			push @problems, "$where: db_exec_script() outside $migrate_file (schema migrations only)";
		}
	}
	for my $f (sort keys %$files) {
		next if $f eq $db_file;
		while ($files->{$f} =~ /^[ \t]*#[ \t]*include[ \t]*[<"](?:mysql|mariadb)\/?\w*\.h[>"]/mg) {
			my $line = 1 + (substr($files->{$f}, 0, $-[0]) =~ tr/\n//);
			push @problems, "$f:$line: includes the client library header outside $db_file";
		}
	}

	# Rule 4: SQL-shaped format strings (adjacent literals joined).
	for my $f (sort keys %tokens) {
		my $t = $tokens{$f};
		for (my $i = 0; $i < @$t; $i++) {
			next unless $t->[$i][0] eq 'str';
			my $s = '';
			my $line = $t->[$i][2];
			while ($i < @$t && $t->[$i][0] eq 'str') {
				$s .= substr($t->[$i][1], 1, -1);
				$i++;
			}
			if ($s =~ $SQL_SHAPE && $s =~ $PRINTF_CONV) {
				push @problems, "$f:$line: SQL statement with a printf conversion: \"" .
				    (length $s > 70 ? substr($s, 0, 70) . '...' : $s) . '"';
			}
		}
	}
	my @derived = map { my $f = $_; map { "$f(arg " . ($_ + 1) . ")" } sort keys %{ $sink{$f} } }
	    grep { !exists $BASE_SINKS{$_} } sort keys %sink;
	return { sinks => $sinks, problems => \@problems, derived => \@derived };
}

sub max0 { $_[0] < 0 ? 0 : $_[0] }

sub match_paren {
	my ($t, $i) = @_;
	my $d = 0;
	for (; $i < @$t; $i++) {
		$d++ if $t->[$i][1] eq '(';
		if ($t->[$i][1] eq ')') {
			return $i if --$d == 0;
		}
	}
	return undef;
}

sub match_brace {
	my ($t, $i) = @_;
	my $d = 0;
	for (; $i < @$t; $i++) {
		$d++ if $t->[$i][1] eq '{';
		if ($t->[$i][1] eq '}') {
			return $i if --$d == 0;
		}
	}
	return undef;
}

# Split tokens [from..to] at top-level commas.
sub split_args {
	my ($t, $from, $to) = @_;
	my (@args, @cur);
	my $d = 0;
	for my $i ($from .. $to) {
		my $x = $t->[$i][1];
		$d++ if $x eq '(' || $x eq '[' || $x eq '{';
		$d-- if $x eq ')' || $x eq ']' || $x eq '}';
		if ($x eq ',' && $d == 0) {
			push @args, [@cur];
			@cur = ();
			next;
		}
		push @cur, $t->[$i];
	}
	push @args, [@cur] if @cur;
	return @args;
}

sub split_list {
	my ($toks) = @_;
	return split_args($toks, 0, $#$toks);
}

sub until_semicolon {
	my ($t, $i) = @_;
	my @out;
	my $d = 0;
	for (; $i < @$t; $i++) {
		my $x = $t->[$i][1];
		$d++ if $x eq '(' || $x eq '[' || $x eq '{';
		$d-- if $x eq ')' || $x eq ']' || $x eq '}';
		last if $x eq ';' && $d == 0;
		push @out, $t->[$i];
	}
	return (\@out, $i);
}

sub param_index {
	my ($fn, $id) = @_;
	for my $k (0 .. $#{ $fn->{params} }) {
		return $k if $fn->{params}[$k] eq $id;
	}
	return undef;
}

# A local variable whose every assignment in the function is constant,
# that is never written through (&id, id[...] =, id++).
sub local_const {
	my ($t, $fn, $id, $const) = @_;
	my $assigned = 0;
	for (my $i = $fn->{start}; $i <= $fn->{end}; $i++) {
		next unless $t->[$i][0] eq 'id' && $t->[$i][1] eq $id;
		next if $i > 0 && ($t->[$i - 1][1] eq '.' || $t->[$i - 1][1] eq '->');
		return 0 if $i > 0 && $t->[$i - 1][1] eq '&';
		my $nx = $i + 1 <= $fn->{end} ? $t->[$i + 1][1] : '';
		return 0 if $nx =~ /^(?:\+\+|--|\+=|\[)$/;
		next unless $nx eq '=';
		my ($rhs) = until_semicolon($t, $i + 2);
		# A declaration list "a = X, b = Y": stop at a top-level comma.
		my @parts = split_list($rhs);
		return 0 unless @parts && $const->($parts[0]);
		$assigned++;
	}
	return $assigned > 0;
}

# --- self-test ------------------------------------------------------------------

my %planted = (
	'db.c' => <<'EOF',
#include <mysql.h>
static enum prk_err
db_simple(struct db *db, const char *sql)
{
	return mysql_real_query(db->my, sql, strlen(sql));
}
enum prk_err
db_begin(struct db *db)
{
	return db_simple(db, "START TRANSACTION");
}
enum prk_err
db_exec_script(struct db *db, const char *sql)
{
	return mysql_real_query(db->my, sql, strlen(sql));
}
EOF
	'good.c' => <<'EOF',
#define COLS "id, name"
#define IN_SET(x) "(SELECT id FROM s WHERE id IN " x " AND n = " #x ")"
#define Q_ONE "SELECT " COLS " FROM t WHERE id = ?"
static const char Q_TWO[] = "DELETE FROM t WHERE id = ?";
static const char *const QS[] = { "SELECT 1", Q_ONE };
static int
helper(struct db *db, const char *sql, int x)
{
	return db_exec(db, NULL, sql, NULL, 0, NULL);
}
void
good(struct db *db, int i, bool f)
{
	const char *q = f ? "SELECT 2" : Q_TWO;
	db_exec(db, NULL, Q_ONE, NULL, 0, NULL);
	db_exec(db, NULL, "UPDATE t SET a = ? " "WHERE id = ?", NULL, 0, NULL);
	db_exec(db, NULL, QS[i], NULL, 0, NULL);
	db_exec(db, NULL, q, NULL, 0, NULL);
	helper(db, (f ? Q_TWO : "SELECT 3"), 1);
	db_exec(db, NULL, "SELECT a FROM t WHERE b IN " IN_SET("(?)"), NULL, 0, NULL);
	log_err("x", "statement takes %d parameters", 3);
}
EOF
	'migrate.c' => <<'EOF',
void
migrate(struct db *db, const struct schema_file *f)
{
	db_exec_script(db, f->sql);
}
EOF
	'bad.c' => <<'EOF',
#include <mysql.h>
#define IN2(x) "SELECT 1 FROM t WHERE a IN " x
static int
helper(struct db *db, const char *sql)
{
	return db_exec(db, NULL, sql, NULL, 0, NULL);
}
void
bad(struct db *db, struct arena *a, const char *email, struct buf *b)
{
	char sql[256];
	const char *q = "SELECT 1";

	snprintf(sql, sizeof(sql), "SELECT id FROM users WHERE email = '%s'", email);
	db_exec(db, a, sql, NULL, 0, NULL);
	db_exec(db, a, arena_printf(a, "DELETE FROM users WHERE id = %d", 1), NULL, 0, NULL);
	helper(db, b->data);
	q = email;
	db_exec(db, a, q, NULL, 0, NULL);
	mysql_query(db->my, "SELECT 1");
	db_exec_script(db, "DROP TABLE users");
	db_exec(db, a, IN2(email), NULL, 0, NULL);
}
EOF
);
{
	my $r = analyse(\%planted, 'db.c', 'migrate.c');
	my @p = @{ $r->{problems} };
	my @bad = grep { /^bad\.c:/ } @p;
	my @other = grep { !/^bad\.c:/ } @p;
	my @want = (
		qr/bad\.c:\d+: includes the client library header/,
		qr/bad\.c:14: SQL statement with a printf conversion/,
		qr/bad\.c:15: db_exec\(\) argument 3 is not constant SQL: sql /,
		qr/bad\.c:16: db_exec\(\) argument 3 is not constant SQL: arena_printf/,
		qr/bad\.c:16: SQL statement with a printf conversion/,
		qr/bad\.c:17: helper\(\) argument 2 is not constant SQL: b -> data/,
		qr/bad\.c:19: db_exec\(\) argument 3 is not constant SQL: q /,
		qr/bad\.c:20: mysql_query\(\) outside db\.c/,
		qr/bad\.c:21: db_exec_script\(\) outside migrate\.c/,
		qr/bad\.c:22: db_exec\(\) argument 3 is not constant SQL: IN2 \( email \)/,
	);
	my @missing = grep { my $re = $_; !grep { $_ =~ $re } @bad } @want;
	ok(!@missing && @bad == @want,
	    "self-test: the " . scalar(@want) . " planted violations are found, nothing else in bad code",
	    (map { "missing: $_" } @missing), "found:", @bad);
	ok(!@other, "self-test: literals, macros, constant arrays and tables, ternaries, "
	    . "constant locals and wrapper parameters are accepted", @other);
}

# --- the sources ------------------------------------------------------------------

opendir(my $dh, $srcdir) or do {
	print "Bail out! cannot read $srcdir: $!\n";
	exit 255;
};
my @names = sort grep { /\.[ch]$/ } readdir $dh;
closedir $dh;
my %files;
for my $name (@names) {
	# Generated from schema/*.sql: data for db_exec_script, not code.
	next if $name eq 'schema_sql.c';
	open(my $fh, '<', "$srcdir/$name") or die "$srcdir/$name: $!";
	local $/;
	$files{"src/$name"} = <$fh>;
	close $fh;
}
ok(exists $files{'src/db.c'} && grep({ /\.c$/ } keys %files) > 5,
    "found the sources in $srcdir (" . scalar(keys %files) . " files)");
my $r = analyse(\%files, 'src/db.c', 'src/migrate.c');
ok($r->{sinks} >= 20, "checked $r->{sinks} SQL arguments (db_exec and libmariadb calls, followed through wrappers)");
print "# wrappers followed to their callers: @{ $r->{derived} }\n";
my %by_rule;
for my $p (@{ $r->{problems} }) {
	my $rule = $p =~ /not constant SQL/ ? 1 :
	    $p =~ /outside|header/ ? 2 : 4;
	push @{ $by_rule{$rule} }, $p;
}
ok(!$by_rule{1}, "every SQL argument is constant text (values only as ? parameters)", @{ $by_rule{1} || [] });
ok(!$by_rule{2}, "text-protocol queries and <mysql.h> only in src/db.c; db_exec_script only from src/migrate.c",
    @{ $by_rule{2} || [] });
ok(!$by_rule{4}, "no SQL statement is a printf format", @{ $by_rule{4} || [] });

print "1..$n\n";
exit($failed > 254 ? 254 : $failed);
