import Hummingbird

extension ClearanceService {
    func addPageRoutes(_ book: RouteBook) {
    }
}
