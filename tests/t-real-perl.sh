#!/bin/sh
# t-real-perl.sh - (h) perl running a script that uses XS modules (POSIX,
# Data::Dumper, Storable, List::Util, Digest::MD5, Encode, Fcntl) and forks
# a child, traced with LD_PRELOAD only and with the launcher: stdout and exit
# status identical to the untraced run, stderr identical except "cowtrace:"
# lines; each traced run logged the perl processes and dirty pages of the
# perl executable (libperl is linked in on Debian) and of the XS modules.
. tests/lib.sh
. tests/real_lib.sh
need_tracer
need_report
PERL=/usr/bin/perl
[ -x "$PERL" ] || skip "no $PERL"
"$PERL" -MStorable -MEncode -MDigest::MD5 -MList::Util -MData::Dumper -MPOSIX -e 1 2>/dev/null ||
	skip "perl modules missing (package perl)"

cat >"$T/script.pl" <<'PEOF'
use strict;
use warnings;
use POSIX qw(floor ceil fmod strftime setlocale LC_ALL);
use Data::Dumper;
use Storable qw(freeze thaw dclone nstore retrieve);
use List::Util qw(sum max min first reduce shuffle uniq);
use Digest::MD5 qw(md5_hex);
use Encode qw(encode decode);
use Fcntl qw(O_RDONLY);

$Data::Dumper::Sortkeys = 1;
$Data::Dumper::Indent = 1;
setlocale(LC_ALL, "C");
my %h = map { ("k$_" => [$_, $_ * 1.5, "v" x ($_ % 5)]) } 1 .. 300;
my $d = Dumper({ map { $_ => $h{$_} } (sort keys %h)[0 .. 4] });
print $d;
print "dumper md5 ", md5_hex(Dumper(\%h)), "\n";
my $frozen = freeze(\%h);
my $back = thaw($frozen);
print "storable ", scalar(keys %$back), " ", $back->{k42}[1], " ", length($frozen) > 1000 ? "big" : "small", "\n";
nstore(\%h, "h.sto");
my $r = retrieve("h.sto");
print "retrieve ", $r->{k300}[2], " ", md5_hex(freeze($r)) eq md5_hex(freeze(dclone(\%h))) ? "same" : "differs", "\n";
my @n = map { ($_ * 7919) % 1000 } 1 .. 5000;
print "list sum ", sum(@n), " max ", max(@n), " min ", min(@n), " uniq ", scalar(uniq @n),
    " first>990 ", first { $_ > 990 } @n;
print " reduce ", reduce { ($a * 31 + $b) % 1000003 } @n;
print "\n";
print "posix ", floor(-2.5), " ", ceil(2.1), " ", fmod(10, 3), " ", strftime("%Y-%m-%d %H:%M:%S", gmtime(86400 * 365)), "\n";
my $s = "Gr\x{fc}\x{df}e \x{263a} cowtrace";
my $u8 = encode("UTF-8", $s);
my $l1 = encode("iso-8859-1", "Gr\x{fc}\x{df}e");
print "encode ", length($u8), " ", md5_hex($u8), " latin1 ", length($l1), " roundtrip ",
    decode("UTF-8", $u8) eq $s ? "ok" : "bad", "\n";
print "md5 ", md5_hex("x" x 100000), "\n";
my %count;
$count{$_ % 97}++ for @n;
print "hash ", join(",", map { "$_=$count{$_}" } (sort { $a <=> $b } keys %count)[0 .. 5]), "\n";
sysopen(my $fh, "/etc/passwd", O_RDONLY) or die "open: $!";
my $line = <$fh>;
print "passwd first field ", (split /:/, $line)[0], "\n";
close $fh;
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
    print "child ", sum(1 .. 1000), "\n";
    POSIX::_exit(7);
}
waitpid($pid, 0);
print "child status ", $? >> 8, "\n";
my $out = `echo from-shell | tr a-z A-Z`;
print "backticks $out";
warn "perl warning line\n";
exit 5;
PEOF

real_run u u "$PERL" "$T/script.pl"
urc=$?
CHECK "untraced perl exits 5 ($urc)" [ $urc -eq 5 ]
[ $urc -eq 5 ] || tail -5 "$T/u.err"
for mode in preload launcher; do
	real_run $mode $mode "$PERL" "$T/script.pl"
	real_compare $mode $? $urc 3
	CHECK "$mode: pages of perl and its XS modules" libs_traced "$T/$mode.json" \
		'/perl$' '/POSIX\.so$' '/Storable\.so$' '/Util\.so$' '/MD5\.so$' '/Encode\.so$' '/Dumper\.so$'
done
done_test
