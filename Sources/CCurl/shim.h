#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are C-variadic, which Swift cannot call: these typed
   setters are the only way Clearance reaches them. */
static inline CURLcode clearance_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode clearance_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode clearance_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode clearance_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*clearance_curl_read_callback)(char *buffer, size_t size, size_t count, void *userdata);
static inline CURLcode clearance_curl_set_read_function(CURL *handle, clearance_curl_read_callback function) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, function);
}
static inline long clearance_curl_use_ssl_try(void) { return (long)CURLUSESSL_TRY; }
static inline long clearance_curl_use_ssl_all(void) { return (long)CURLUSESSL_ALL; }
static inline CURLcode clearance_curl_response_code(CURL *handle, long *code) {
    return curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code);
}
