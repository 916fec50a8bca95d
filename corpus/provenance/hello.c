/* Built by make.Dockerfile from the build context. */
#include <stdio.h>

int main(void) {
  puts("hello from make");
  return 0;
}
