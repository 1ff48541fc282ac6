/**
 * Plumbing between the Java API and the native library: the loader and the native function
 * declarations. Not part of the API; it may change in any release.
 */
package health.tim.headless.internal;
