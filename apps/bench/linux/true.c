/* /true for the Linux twin's app_spawn_wait (twin.c): exits 0 at once, like Exospace's
 * apps/test/true.c. */
int main(void) {
    return 0;
}
