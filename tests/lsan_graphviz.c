/*
 * lsan_graphviz.c — linked into every test program: what LeakSanitizer must not report.
 *
 * Graphviz 2.43's drawing libraries keep caches for the life of the process and leak a little
 * per drawing inside themselves (the HTML label parser, pango's and fontconfig's font lists),
 * none of it memory this program owns. Those libraries' leaks are not reported; the graphs
 * themselves come from libcgraph, which is still checked: a graph a test forgets to dot_free is
 * reported. LeakSanitizer calls this function if it exists; other builds never do.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
    return "leak:libgvc.so\n"
           "leak:libgvplugin_\n"
           "leak:libfontconfig.so\n"
           "leak:libpango\n"
           "leak:libglib-2.0.so\n"
           "leak:libcairo.so\n";
}
