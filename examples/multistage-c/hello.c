/* A tiny program for the multi-stage example. */
#include <stdio.h>

int main(void) {
  puts("hello from a binary built in another stage");
  return 0;
}
